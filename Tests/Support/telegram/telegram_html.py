"""Telegram's `parse_mode=HTML`, as documented under "Formatting options" (core.telegram.org/bots/api).

Only a few tags exist (b, strong, i, em, u, ins, s, strike, del, span class="tg-spoiler", tg-spoiler, a href,
tg-emoji, code, pre, blockquote); everything else, including <p>, <br>, <ul> and <li>, is refused with the
real server's "can't parse entities" error. Only &lt; &gt; &amp; &quot; and numeric entities are decoded.
`parse` returns the plain text a user sees, or raises HtmlError with the server's description.
"""
import html
import re

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
        "code", "pre", "blockquote"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": "\""}


class HtmlError(Exception):
    """The server's description after "Bad Request: can't parse entities: "."""


def parse(text):
    out = []
    stack = []  # (tag, byte offset)
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "&":
            match = re.match(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);", text[i:])
            if match:
                name = match.group(1)
                if name.startswith("#"):
                    out.append(html.unescape(match.group(0)))
                elif name in NAMED_ENTITIES:
                    out.append(NAMED_ENTITIES[name])
                else:
                    # The real server keeps an unknown named entity as literal text.
                    out.append(match.group(0))
                i += len(match.group(0))
            else:
                out.append("&")
                i += 1
            continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        offset = len(text[:i].encode("utf-8"))
        end = text.find(">", i)
        if end < 0:
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        inner = text[i + 1:end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {offset}")
            if stack[-1][0] != name:
                raise HtmlError(f"Unmatched end tag at byte offset {offset}, expected \"</{stack[-1][0]}>\", "
                                f"found \"</{name}>\"")
            stack.pop()
        else:
            match = re.match(r"([a-zA-Z][a-zA-Z0-9-]*)(.*)$", inner, re.S)
            if not match:
                raise HtmlError(f"Empty tag name at byte offset {offset}")
            name = match.group(1).lower()
            if name not in TAGS:
                raise HtmlError(f"Unsupported start tag \"{name}\" at byte offset {offset}")
            attributes = match.group(2)
            if name == "span" and "tg-spoiler" not in attributes:
                raise HtmlError(f"Tag \"span\" must have class \"tg-spoiler\" at byte offset {offset}")
            stack.append((name, offset))
        i = end + 1
    if stack:
        raise HtmlError(f"Can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    return "".join(out)


def utf16_length(text):
    """Message lengths and entity offsets are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
