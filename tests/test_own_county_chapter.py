"""The own-county chapter walks records -> series -> panel -> ITS/DiD -> report on the shipped
synthetic bureau exports, shows the shipped maps as they are, and the Spark sizing moved to
its appendix page. Truths come from the generator's own rows and from the TOML map files read
here directly, never from the pipeline's output.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from analysis import paths
from analysis.chapters import own_county_data as own
from analysis.chapters import spark_sizing
from analysis.synthetic import bureau_exports
from analysis.tables import mapping

PAGE = paths.BOOK / "data" / "own_county_data.md"
APPENDIX = paths.BOOK / "appendix" / "spark_sizing.md"
GLUE = re.compile(r"\{glue:text\}`([^`:]+)|```\{glue:figure\}\s+(\S+)")


@pytest.fixture(scope="module")
def values() -> dict[str, object]:
    return own.numbers()


def _keys(page) -> set[str]:
    return {a or b for a, b in GLUE.findall(page.read_text(encoding="utf-8"))}


def test_every_glued_key_exists(values):
    assert _keys(PAGE) <= set(values) | set(own.figures())
    assert _keys(APPENDIX) <= set(spark_sizing.numbers())
    assert not {k for k in _keys(PAGE) if "plan" in k}  # the sizing left the page


def test_the_exports_give_the_generators_series_exactly(values):
    config = bureau_exports.load_config()
    records = bureau_exports.generate_records(config)
    assert values["own-exact"] == "yes"
    assert values["own-export-rows"] == f"{len(records):,}"
    assert values["own-rows-quarantined"] == "0"
    assert values["own-counties"] == len(config["county"])
    outside = int((records["就医地"] != records["参保地"]).sum())
    assert values["own-out-of-county"] == f"{outside:,}"


def test_the_shipped_exports_are_what_the_generator_writes(tmp_path):
    written = bureau_exports.write_exports(bureau_exports.load_config(), tmp_path)
    for path in written:
        shipped = bureau_exports.FOLDER / path.name
        assert shipped.read_bytes() == path.read_bytes(), path.name
    csv = (bureau_exports.FOLDER / "settlements_2021_2022.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        csv.decode("utf-8")
    header = csv.decode("gb18030").splitlines()[0].split(",")
    assert header == [*bureau_exports.HEADERS, "provenance"]


def test_the_tables_show_the_shipped_maps_as_they_are():
    with open(mapping.DEFAULT_HEADERS, "rb") as handle:
        headers = tomllib.load(handle)
    shown = own.table_headers().data
    for section in ("fields", "optional"):
        for field, names in headers[section].items():
            row = shown[shown["field"] == field]
            assert len(row) == 1, field
            listed = row["accepted headers"].iloc[0].split(" / ")
            assert {mapping.normal_key(n) for n in names} <= set(listed), field
    with open(mapping.DEFAULT_LABELS, "rb") as handle:
        labels = tomllib.load(handle)
    table = own.table_labels().data
    for field, categories in labels.items():
        for category, names in categories.items():
            row = table[(table["field"] == field) & (table["category"] == category)]
            listed = row["labels"].iloc[0].split(" / ")
            assert {mapping.normal_key(n) for n in names} <= set(listed), (field, category)


def test_the_page_says_what_the_share_is_not_and_that_the_data_are_synthetic():
    text = PAGE.read_text(encoding="utf-8")
    assert "诊疗人次" in text and "异地就医" in text and "uninsured" in text
    assert "**synthetic**" in text and "not real" in text


def test_the_did_sentence_about_the_placebo_holds(values):
    # The page says no effect could be significant at 5 % by placebo in space.
    assert float(values["own-did-placebo-min"]) > 0.05
    assert values["own-n-units"] == values["own-n-comparisons"] + 1


def test_the_its_and_did_see_the_generators_reform(values):
    config = bureau_exports.load_config()
    assert values["own-reform-county"] == config["reform"]["county"]
    assert float(values["own-its-level-lo"]) < float(values["own-its-level-hi"])
    assert abs(float(values["own-did"]) - config["reform"]["visit_share_change_pp"]) < 5


def test_the_appendix_is_in_the_table_of_contents():
    toc = yaml.safe_load((paths.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert "book/appendix/spark_sizing" in files and "book/data/own_county_data" in files
    assert "(data-own-county-spark)=" in APPENDIX.read_text(encoding="utf-8")


def test_the_pages_commands_run_as_printed(tmp_path, monkeypatch, values):
    import shlex

    import pandas as pd

    from analysis.cli import main as cli_main

    series, printf, panel, report = own.commands().splitlines()
    monkeypatch.chdir(tmp_path)
    records = shlex.split(series)[3:]
    records[records.index("--records") + 1] = str(bureau_exports.FOLDER)
    assert cli_main([*records, "--no-progress", "--lang", "en"]) == 0
    county, day = re.search(r"\\n(\S+?),(\S+?)\\n", printf).groups()
    (tmp_path / "reforms.csv").write_text(f"county,reform_date\n{county},{day}\n")
    assert cli_main(shlex.split(panel)[3:]) == 0
    assert len(pd.read_csv(tmp_path / "panel.csv")) == values["own-panel-rows"]
    assert cli_main(shlex.split(report)[3:]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    level = own.walkthrough().report.its.effects["level"].estimate
    assert f"level change</td><td class=num>{level:.2f}</td>" in html
    assert (tmp_path / "report.xlsx").stat().st_size > 0
