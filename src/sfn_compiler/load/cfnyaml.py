"""CloudFormation YAML: the short-form intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`, ...) read as their long
forms (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`, `{"Fn::Sub": ...}`), with positions.

The tags are rewritten on the YAML node tree before `load_yaml_text` walks it, so positions, duplicate-key
detection and construction are the ones every other YAML file gets; a tagged node's position is the tag.
Nothing is executed: the result is plain dicts, lists and scalars (safe_load semantics). Timestamps stay
the text they were written as (CloudFormation passes them on as strings).
"""

from __future__ import annotations

import yaml

from .limits import MAX_DEPTH
from .yamldoc import YamlDocument, load_yaml_text

# short tag -> long form key (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html)
INTRINSIC_TAGS = {
    "Ref": "Ref", "Condition": "Condition",
    **{name: f"Fn::{name}" for name in (
        "Base64", "Cidr", "FindInMap", "ForEach", "GetAtt", "GetAZs", "ImportValue", "Join", "Length", "Select",
        "Split", "Sub", "Transform", "ToJsonString", "And", "Equals", "If", "Not", "Or")},
}
INTRINSIC_KEYS = frozenset(INTRINSIC_TAGS.values())

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _rewrite(node: yaml.Node, loader: yaml.BaseResolver, seen: set[int], depth: int = 0) -> yaml.Node:
    if id(node) in seen:
        return node
    if depth > MAX_DEPTH:   # (reported with its place; the reader's walk bounds everything else)
        raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", node.start_mark)
    seen.add(id(node))
    depth += 1
    tag = node.tag or ""
    if tag.startswith("!") and not tag.startswith("!!"):
        name = tag[1:]
        key = INTRINSIC_TAGS.get(name)
        if key is None:
            from ..diagnostics import did_you_mean

            known = did_you_mean(tag, [f"!{t}" for t in INTRINSIC_TAGS]) or \
                "CloudFormation knows !Ref, !GetAtt, !Sub, !Join, ..."
            raise yaml.constructor.ConstructorError(None, None, f"unknown tag {tag!r} ({known})", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            if name == "GetAtt" and "." in node.value:          # !GetAtt Res.Attr -> [Res, Attr]
                res, attr = node.value.split(".", 1)
                inner: yaml.Node = yaml.SequenceNode(_SEQ, [
                    yaml.ScalarNode(_STR, res, node.start_mark, node.end_mark),
                    yaml.ScalarNode(_STR, attr, node.start_mark, node.end_mark)], node.start_mark, node.end_mark)
            else:
                inner = yaml.ScalarNode(_plain_tag(node, loader), node.value, node.start_mark, node.end_mark,
                                        style=node.style)
        elif isinstance(node, yaml.SequenceNode):
            inner = yaml.SequenceNode(_SEQ, [_rewrite(v, loader, seen, depth) for v in node.value], node.start_mark,
                                      node.end_mark, flow_style=node.flow_style)
        else:
            inner = yaml.MappingNode(_MAP, [(_rewrite(k, loader, seen, depth), _rewrite(v, loader, seen, depth))
                                            for k, v in node.value], node.start_mark, node.end_mark,
                                     flow_style=node.flow_style)
        return yaml.MappingNode(_MAP, [(yaml.ScalarNode(_STR, key, node.start_mark, node.start_mark), inner)],
                                node.start_mark, node.end_mark)
    if isinstance(node, yaml.ScalarNode):
        if tag == _TIMESTAMP and not node.style:
            node.tag = _STR
    elif isinstance(node, yaml.SequenceNode):
        node.value = [_rewrite(v, loader, seen, depth) for v in node.value]
    elif isinstance(node, yaml.MappingNode):
        node.value = [(_rewrite(k, loader, seen, depth), _rewrite(v, loader, seen, depth)) for k, v in node.value]
    return node


def _plain_tag(node: yaml.ScalarNode, loader: yaml.BaseResolver) -> str:
    if node.style:          # quoted or block: a string
        return _STR
    tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))
    return _STR if tag == _TIMESTAMP else tag


class CfnLoader(_Base):  # type: ignore[misc,valid-type]
    """A safe loader that reads CloudFormation's short-form tags as long-form intrinsic objects."""

    def get_single_node(self):  # noqa: D401 - PyYAML API
        node = super().get_single_node()
        if node is not None:
            node = _rewrite(node, self, set())
        return node


def load_cfn_yaml_text(text: str, filename: str) -> YamlDocument:
    """Parse CloudFormation YAML (or any YAML: without tags it is plain safe_load) with positions."""
    return load_yaml_text(text, filename, loader_class=CfnLoader)
