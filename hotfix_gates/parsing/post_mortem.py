"""post-mortem.md bytes -> the PostMortem that HG201 judges.

Each required section is the first heading that names it (`## Timeline`, or
`### Timeline (Detailed)`); with no Timeline, the spec-kit template's
`## Incident Details` stands in. A required section is written when it holds
real content of its own (guidance.py tells content from template guidance):
its text and its sub-sections', except a sub-section that is itself a
required section, so one paragraph under five nested headings fills one
section, not five.
"""

from __future__ import annotations

from hotfix_gates.model.constants import POST_MORTEM_SECTIONS
from hotfix_gates.model.record import PostMortem, Section
from hotfix_gates.parsing import markdown
from hotfix_gates.parsing.frontmatter import (
    NoFrontMatter,
    UnclosedFrontMatter,
    decode,
    split_front_matter,
)
from hotfix_gates.parsing.markdown import Document, MdSection, normalize_title

_REQUIRED = [name.lower() for name in POST_MORTEM_SECTIONS]


def parse_post_mortem(path: str, data: bytes) -> tuple[PostMortem | None, str | None, int]:
    """Read post-mortem.md: (post-mortem, problem, line). A problem means
    the file could not be read as a post-mortem; HG201 reports it."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return None, "post-mortem.md is not UTF-8 text", 1
    status: str | None = None
    status_line = 1
    body, body_line = text, 1
    front = False
    try:
        block = split_front_matter(text)
    except NoFrontMatter:
        pass
    except UnclosedFrontMatter as exc:
        return None, str(exc), exc.line
    else:
        if not block.clean:
            from hotfix_gates.parsing.hotfix import MOVE_FENCE, unclean_start

            return None, f"{unclean_start(block)}; {MOVE_FENCE}", 1
        if block.second_block is not None:
            return None, ("a second front-matter block starts here: move its keys into the "
                          "first block and delete it"), block.second_block
        from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

        try:
            mapping = load_mapping(block.yaml_text, block.yaml_line)
        except YamlProblem as problem:
            return None, problem.message, problem.line
        raw = mapping.values.get("status")
        status = raw.strip().lower() if isinstance(raw, str) else None
        status_line = mapping.lines.get("status", 1)
        body, body_line, front = block.body, block.body_line, True
    try:
        doc = markdown.read(body, body_line)
    except markdown.TooLarge as exc:
        return None, f"post-mortem.md is too large to read ({exc})", 1
    post = PostMortem(path, status, status_line, {})
    _judge_sections(post, doc)
    if not front:
        # The spec-kit template has no front matter; a team may add a
        # `**Status**:` line above its first section.
        from hotfix_gates.parsing.speckit import post_mortem_status

        found = post_mortem_status(doc)
        if found is not None:
            post.status, post.status_line = found
    return post, None, 1


def _judge_sections(post: PostMortem, doc: Document) -> None:
    from hotfix_gates.parsing import guidance

    claimed: dict[str, MdSection] = {}
    for section in doc.sections:
        title = normalize_title(section.title)
        for name in _REQUIRED:
            if name not in claimed and (title == name or title.startswith((name + " ",
                                                                          name + ":"))):
                claimed[name] = section
        post.sections.setdefault(section.title.lower(),
                                 Section(section.title, section.line, doc.text_of(section)))
    if "timeline" not in claimed:
        details = doc.find("Incident Details")
        if details is not None:
            claimed["timeline"] = details
    taken = frozenset(section.position for section in claimed.values())
    post.filled = {}
    for name in _REQUIRED:
        found = claimed.get(name)
        if found is None:
            post.filled[name] = False
            continue
        post.sections[name] = Section(found.title, found.line, doc.text_of(found))
        others = taken - {found.position}
        post.filled[name] = guidance.section_written(doc, found, others)
