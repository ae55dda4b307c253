"""Citations as people write them: a reader sees a document's title, date and section, never the
key sources.yaml files it under."""

import datetime as dt

from pcpbook.contracts.citations import cite


def test_a_key_in_a_source_becomes_its_citation_and_a_longer_key_wins():
    sources = {"doc-1": "Closure Report (2022)", "doc-10": "Quarterly Update Q4 (2021)"}
    assert cite("doc-10 para 2.7; doc-1 Appendix 1", sources) == \
        "Quarterly Update Q4 (2021) para 2.7; Closure Report (2022) Appendix 1"
    assert cite("police.uk street-level crime", sources) == "police.uk street-level crime"


def test_the_series_a_chart_draws_names_its_documents_not_their_keys(dataset):
    series = dataset.monthly("special_constables", dt.date(2021, 3, 31))
    published = series[series["status"] == "published"]
    assert len(published) and not published["source"].str.contains("seed-").any()
    assert published["source"].str.contains("Police and Crime Plan 2016 to 2021 Closure Report para 2.7").any()
