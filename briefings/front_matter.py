"""Reading a briefing file's YAML front matter with bounds, so that a hostile file costs one line of
refusal, not the import: PyYAML's safe loader, without aliases, nested at most a few levels deep and
holding at most a few thousand values."""

from __future__ import annotations

import yaml


class BriefingFileError(Exception):
    """A file that cannot be imported; the message is one line an editor can act on."""


# Front matter is a dozen short values: anything far bigger is a mistake or an attack, refused before
# PyYAML builds it (an aliased value can expand to gigabytes; deep nesting exhausts the stack).
FRONT_MATTER_MAX_CHARS = 64 * 1024
FRONT_MATTER_MAX_DEPTH = 4
FRONT_MATTER_MAX_NODES = 2_000


class FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader with no aliases, and bounds on nesting and size."""

    def compose_document(self):
        self.depth, self.nodes = 0, 0
        return super().compose_document()

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise BriefingFileError("YAML aliases (*name) are not allowed in the front matter")
        self.depth, self.nodes = self.depth + 1, self.nodes + 1
        if self.depth > FRONT_MATTER_MAX_DEPTH:
            raise BriefingFileError("the front matter nests too deep: values are text, dates or lists of names")
        if self.nodes > FRONT_MATTER_MAX_NODES:
            raise BriefingFileError(f"the front matter holds over {FRONT_MATTER_MAX_NODES:,} values")
        node = super().compose_node(parent, index)
        self.depth -= 1
        return node


def load_front_matter(header: str):
    return yaml.load(header, Loader=FrontMatterLoader)
