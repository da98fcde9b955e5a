"""The two threading algorithms of RFC 5256 4, on plain data: ORDEREDSUBJECT and REFERENCES.

Both take the selected messages in mailbox order (that order breaks ties between equal sent dates) and
return the threads as trees; :func:`thread_text` writes them as the ``thread-list`` items of a
``* THREAD`` response. Every walk over a tree uses an explicit stack, so deep reply chains cannot exhaust
the interpreter's recursion limit.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# msg-id (RFC 5322 3.6.4): "<" id-left "@" id-right ">"; no whitespace or brackets inside.
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")


class ThreadMessage(NamedTuple):
    number: int  # what the response names: a sequence number or a UID
    message_id: str | None  # the raw Message-ID, References and In-Reply-To field values
    references: str | None
    in_reply_to: str | None
    subject: str  # the base subject (RFC 5256 2.1), as compared
    reply: bool  # the subject carried a reply or forward marker
    sent: float  # the sent date (RFC 5256 2.2) as a timestamp


class Thread:
    """A node: a message, or (``number`` None) a placeholder grouping messages that share a subject."""

    __slots__ = ("number", "children")

    def __init__(self, number: int | None, children: list[Thread] | None = None) -> None:
        self.number = number
        self.children: list[Thread] = children if children is not None else []

    def __repr__(self) -> str:
        return f"Thread({self.number!r}, {self.children!r})"


def message_ids(value: str | None) -> list[str]:
    """The valid message IDs in a field value, in order; compared case-sensitively (RFC 5256 4)."""
    return _MESSAGE_ID.findall(value) if value else []


def ordered_subject(messages: list[ThreadMessage]) -> list[Thread]:
    """ORDEREDSUBJECT: one thread per base subject; its earliest message is the parent of all the others,
    which follow by sent date. Threads are ordered by the sent date of their first message."""
    groups: dict[str, list[tuple[float, int, ThreadMessage]]] = {}
    for index, message in enumerate(messages):
        groups.setdefault(message.subject, []).append((message.sent, index, message))
    threads: list[tuple[float, int, Thread]] = []
    for group in groups.values():
        group.sort(key=lambda entry: entry[:2])
        sent, index, first = group[0]
        threads.append((sent, index, Thread(first.number, [Thread(entry[2].number) for entry in group[1:]])))
    threads.sort(key=lambda entry: entry[:2])
    return [thread for _, _, thread in threads]


class _Container:
    """A node of the REFERENCES algorithm; ``message`` is None for a dummy."""

    __slots__ = ("message", "index", "parent", "children")

    def __init__(self, message: ThreadMessage | None = None, index: int = -1) -> None:
        self.message = message
        self.index = index  # mailbox position, for ties
        self.parent: _Container | None = None
        self.children: list[_Container] = []

    def is_under(self, other: _Container) -> bool:
        """Whether this container is ``other`` or one of its descendants (parent chains never loop)."""
        node: _Container | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False

    def adopt(self, child: _Container) -> None:
        """Make ``child`` (parentless, or a top-level one the caller drops from the root) a child."""
        child.parent = self
        self.children.append(child)

    def key(self) -> tuple[float, int]:
        """Sent date then mailbox order; a dummy sorts as its first child (RFC 5256 4, steps 4 and 6)."""
        node = self
        while node.message is None and node.children:
            node = node.children[0]
        return (node.message.sent, node.index) if node.message is not None else (0.0, -1)

    def first_message(self) -> ThreadMessage | None:
        """The message that gives a top-level thread its subject: its own, or a dummy's first child's."""
        return self.message if self.message is not None or not self.children else self.children[0].message


def _post_order(root: _Container) -> list[_Container]:
    """Every container under ``root`` (root last), children before their parent."""
    order: list[_Container] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    order.reverse()
    return order


def _link(messages: list[ThreadMessage]) -> _Container:
    """Step 1: a container per message ID, parent/child links from References or In-Reply-To."""
    table: dict[str, _Container] = {}
    for index, message in enumerate(messages):
        ids = message_ids(message.message_id)
        key = ids[0] if ids else None
        if key is None or (key in table and table[key].message is not None):
            key = f" {index}"  # missing or duplicate ID: a unique one (a space never occurs in a msg-id)
        container = table.get(key)
        if container is None:
            container = table[key] = _Container()
        container.message, container.index = message, index
        # The references: the References field, else the first valid ID of In-Reply-To.
        references = message_ids(message.references) or message_ids(message.in_reply_to)[:1]
        parent: _Container | None = None
        for reference in references:
            node = table.get(reference)
            if node is None:
                node = table[reference] = _Container()
            # 1.A: link consecutive references unless already linked or it would make a loop.
            if parent is not None and node.parent is None and not parent.is_under(node):
                parent.adopt(node)
            parent = node
        # 1.B: the last reference is the parent, replacing any earlier link, unless that makes a loop.
        if container.parent is not None:
            container.parent.children.remove(container)
            container.parent = None
        if parent is not None and not parent.is_under(container):
            parent.adopt(container)
    root = _Container()
    for container in table.values():  # step 2: the parentless become children of the root
        if container.parent is None:
            container.parent = root
            root.children.append(container)
    return root


def _prune(root: _Container) -> None:
    """Step 3: drop childless dummies and splice other dummies' children into their place; at the top
    level a dummy stays unless it has a single child."""
    for node in _post_order(root):
        kept: list[_Container] = []
        for child in node.children:
            if child.message is None and (node is not root or len(child.children) <= 1):
                for grandchild in child.children:
                    grandchild.parent = node
                kept.extend(child.children)
            else:
                kept.append(child)
        node.children = kept


def _sort_siblings(root: _Container) -> None:
    """Steps 4 and 6: every set of siblings by sent date, the deepest first so a dummy's key is known."""
    for node in _post_order(root):
        node.children.sort(key=_Container.key)


def _replaces(known: _Container | None, container: _Container) -> bool:
    """Step 5.B: the subject table keeps a dummy over a message, and an original over a reply."""
    if known is None:
        return True
    if known.message is None:
        return False
    return container.message is None or (known.message.reply and not container.message.reply)


def _merge_subjects(root: _Container) -> None:
    """Step 5: top-level threads with the same base subject are gathered into one."""
    table: dict[str, _Container] = {}
    for container in root.children:
        first = container.first_message()
        if first is None or not first.subject:
            continue
        if _replaces(table.get(first.subject), container):
            table[first.subject] = container
    merged: list[_Container] = []
    for container in root.children:
        first = container.first_message()
        if container.parent is not root or first is None or not first.subject:
            continue  # already gathered into another thread, or nothing to gather by
        known = table[first.subject]
        if known is container:
            continue
        if known.message is None and container.message is None:
            for child in list(container.children):
                known.adopt(child)
            container.parent = None
        elif known.message is None or (first.reply and known.message is not None and not known.message.reply):
            known.adopt(container)
        else:
            dummy = _Container()
            dummy.adopt(known)
            dummy.adopt(container)
            dummy.parent = root
            merged.append(dummy)
            table[first.subject] = dummy
    # Those moved under another thread leave the top level in one pass rather than one removal each.
    root.children = [container for container in root.children if container.parent is root] + merged


def _export(root: _Container) -> list[Thread]:
    threads: dict[int, Thread] = {}
    for node in _post_order(root):
        number = None if node.message is None else node.message.number
        threads[id(node)] = Thread(number, [threads[id(child)] for child in node.children])
    return threads[id(root)].children


def references(messages: list[ThreadMessage]) -> list[Thread]:
    """REFERENCES (RFC 5256 4): threads from Message-ID, References and In-Reply-To, then top-level
    threads with the same base subject gathered; siblings ordered by sent date, ties by mailbox order."""
    root = _link(messages)
    _prune(root)
    _sort_siblings(root)
    _merge_subjects(root)
    _sort_siblings(root)
    return _export(root)


def thread_text(threads: list[Thread]) -> str:
    """``(2)(3 6 (4 23)(44 7 96))``: a chain of single children continues the list, several children
    each get a nested list (RFC 5256 5, thread-list)."""
    out: list[str] = []
    stack: list[Thread | str] = []
    for thread in reversed(threads):
        stack += [")", thread, "("]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item.number is not None:
            out.append(str(item.number))
            if item.children:
                out.append(" ")
        if len(item.children) == 1:
            stack.append(item.children[0])
        else:
            for child in reversed(item.children):
                stack += [")", child, "("]
    return "".join(out)
