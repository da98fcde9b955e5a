"""The IMAP engine: the grammar, the connection and its limits, the session and its command table, the
selected view, response encoding and codes. Command modules build on it and never the other way round."""
