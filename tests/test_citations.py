"""Citations as people write them: a reader sees a document's title, date and section, never the
key sources.yaml files it under; on a page the title links to the document's entry on the
book's Sources page, which lists every document so that no citation points nowhere."""

import dataclasses
import datetime as dt
import re

import pytest
from pypdf import PdfReader

from pcpbook.build import printing
from pcpbook.present.chapter import edition_sources, open_chapter, open_edition
from pcpbook.present.citing import BookSources, anchors, linked
from pcpbook.present.review import open_review

SOURCES = {"seed-004": "Closure Report", "hocr": "Home Office Counting Rules [2023]"}
LINK = re.compile(r"\]\(#(source-[a-z0-9-]+)\)")


def test_the_series_a_chart_draws_names_its_documents_not_their_keys(dataset):
    series = dataset.monthly("special_constables", dt.date(2021, 3, 31))
    published = series[series["status"] == "published"]
    assert len(published) and not published["source"].str.contains("seed-").any()
    assert published["source"].str.contains("Police and Crime Plan 2016 to 2021 Closure Report para 2.7").any()


def test_a_document_key_becomes_its_citation_linked_to_its_entry_and_the_section_follows_as_text():
    assert linked("seed-004 para 2.7", SOURCES) == "[Closure Report](#source-seed-004) para 2.7"
    assert linked("hocr, seed-004", SOURCES) == ("[Home Office Counting Rules \\[2023\\]](#source-hocr), "
                                                 "[Closure Report](#source-seed-004)")


def test_the_text_around_a_citation_stays_text_and_a_key_inside_a_longer_word_is_not_one():
    shown = linked("*see* seed-004 <b>x</b> [y](http://e) seed-0045 pre-seed-004", SOURCES)
    assert shown == ("\\*see\\* [Closure Report](#source-seed-004) \\<b\\>x\\</b\\> \\[y\\](http://e) "
                     "seed-0045 pre-seed-004")
    assert linked("- seed-004", SOURCES).startswith("\\- ")  # a list marker at the start stays text


def test_each_document_has_its_own_link_target_even_when_two_keys_would_read_alike():
    made = anchors({"ONS.2024": "a", "ons-2024": "b", "Ons_2024": "c", "x": "d"})
    assert made == {"ONS.2024": "source-ons-2024", "ons-2024": "source-ons-2024-2", "Ons_2024": "source-ons-2024-3",
                    "x": "source-x"}


def test_a_chapter_cites_its_published_figures_targets_and_commitments_by_link(dataset):
    chapter = open_chapter("2016-2021", 1, "2020-21-Q4", str(dataset.root))
    key_figures = chapter.key_figures().data
    assert "Published figures are from: [Essex Police" in key_figures
    target = next(s for m in chapter.measures for s in chapter.target_sentences(m) if "target is set in" in s)
    assert "](#source-seed-000) Priority 1" in target
    assert chapter.commitments_source().data.startswith(
        "Commitments are paraphrased in our own words from: [Police, Fire and Crime Commissioner for Essex")
    assert "seed-" not in re.sub(LINK, "", key_figures + target)  # no key is shown as text


def test_the_sources_page_lists_what_the_edition_draws_on_first_then_every_other_document(dataset):
    sources = edition_sources(open_edition("2020-21-Q4", str(dataset.root)))
    page = sources.documents().data
    targets = re.findall(r"^\((source-[a-z0-9-]+)\)=$", page, re.M)
    assert sorted(targets) == sorted(anchors(dataset.sources).values())  # every document: no link can point nowhere
    closure = page.split("(source-seed-004)=\n", 1)[1].split("\n\n", 1)[0]
    assert closure.startswith("**Police, Fire and Crime Commissioner for Essex, Police and Crime Plan 2016 to 2021 "
                              "Closure Report.** Published figures for ")
    assert "the plan's commitments, paraphrased in our own words; the targets of commitments 1.3, 7.1." in closure
    # the 2023/24 update is later than the edition: listed, but not as drawn on
    assert page.index("not drawn on in this edition") < page.index("(source-seed-002)=")
    assert "demonstration series" in sources.modelled().data


def test_the_review_lists_the_documents_its_financial_figures_come_from(dataset):
    page = open_review("2016-2021", str(dataset.root)).sources().documents().data
    closure = page.split("(source-seed-004)=\n", 1)[1].split("\n\n", 1)[0]
    assert closure.endswith("; financial figures.")


def test_values_from_a_public_extract_are_listed_with_their_measures_and_months(dataset):
    frame = dataset.observations.copy()
    frame.loc[(frame["measure"] == "total_recorded_crime") & (frame["period_start"] < dt.date(2021, 1, 1)),
              ["status", "source"]] = ["published", "data.police.uk street-level crime"]
    extract = dataclasses.replace(dataset, observations=frame, memo={})
    shown = BookSources(extract, dt.date(2021, 3, 31), "edition", ("total_recorded_crime",)).public_data().data
    assert re.match(r"- \*\*data\.police\.uk street-level crime\*\*: [0-9,]+ values, \w+ \d{4} to December 2020 "
                    r"\(Total recorded crime\)\.$", shown)


@pytest.mark.slow
def test_every_citation_on_the_built_site_reaches_its_entry_on_sources(site):
    for book in ("2020-21-Q4", "closure-2016-2021"):
        pages = {path: path.read_text(encoding="utf-8") for path in (site / book).rglob("*.html")}
        sources_page = next(text for path, text in pages.items() if path.name == "sources.html")
        links = {(path.name, href) for path, text in pages.items()
                 for href in re.findall(r'href="([^"]*#source-[a-z0-9-]+)"', text)}
        assert len({page for page, _ in links}) >= 3, book  # chapters, and the sources page is not the only one
        for page, href in links:
            assert href.split("#")[0].endswith("sources.html"), (page, href)
            assert f'id="{href.split("#")[1]}"' in sources_page, (page, href)


@pytest.mark.slow
@pytest.mark.skipif(printing.find_chromium() is None, reason="no Chromium to print with (see README: print edition)")
def test_a_citation_in_the_print_edition_links_to_its_entry_within_the_pdf(site):
    printed = PdfReader(site / "2020-21-Q4" / "2020-21-Q4.pdf")
    destinations = [str(annotation.get_object().get("/Dest")) for page in printed.pages
                    for annotation in page.get("/Annots") or []]
    assert sum("source-seed-004" in destination for destination in destinations) >= 5  # links within the PDF

