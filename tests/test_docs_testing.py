"""docs/plugins/testing.md covers the test kit: every fixture and public name of
``flask_security.testing`` and every attribute and check of ``FeatureContract`` is
described (the page's tables are generated from them by docs/_hooks/fsec_docs.py)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from flask_security.testing import fixtures
from flask_security.testing.contracts import FeatureContract

PAGE = Path(__file__).resolve().parent.parent / "docs" / "plugins" / "testing.md"


def test_the_page_has_the_generated_tables():
    text = PAGE.read_text()
    for marker in (
        "<!-- fsec:feature-contract-attributes -->",
        "<!-- fsec:feature-contract-checks -->",
        "<!-- fsec:testing-reference -->",
    ):
        assert marker in text


def test_every_testing_name_has_a_description(docs_module):
    names = docs_module.testing_names()
    listed = {name for _module, name, _summary in names}
    fixture_names = {n for n in vars(fixtures) if n.startswith("fsec_")}
    assert fixture_names <= listed and "fsec_live" in fixture_names
    assert {"FeatureContract", "DatastoreContract", "HookSpy", "race", "LiveServer"} <= listed
    undocumented = [f"{m}.{n}" for m, n, summary in names if not summary]
    assert not undocumented, f"no docstring / '#:' comment: {undocumented}"


def test_every_feature_contract_attribute_and_check_is_described(docs_module):
    attributes = docs_module.feature_contract_attributes()
    declared = {n for cls in FeatureContract.__mro__ for n in inspect.get_annotations(cls)}
    assert {a[0] for a in attributes} == declared
    assert [a[0] for a in attributes if a[1]] == ["name", "distribution"]  # required
    missing = [a[0] for a in attributes if not a[3]]
    assert not missing, f"FeatureContract attributes without ':cvar x:': {missing}"
    checks = docs_module.feature_contract_checks()
    tests = [n for n in dir(FeatureContract) if n.startswith("test_contract_")]
    assert sorted(c[0] for c in checks) == tests and len(tests) == 12
    assert all(doc for _name, doc in checks), [n for n, d in checks if not d]


@pytest.mark.parametrize("method", ["user_fields", "refuse_account"])
def test_overridable_methods_are_documented_on_the_page(method):
    assert inspect.getdoc(getattr(FeatureContract, method))
    assert f"`{method}(" in PAGE.read_text()
