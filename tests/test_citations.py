"""Citations as people write them: a reader sees a document's title, date and section, never the
key sources.yaml files it under."""

import datetime as dt


def test_the_series_a_chart_draws_names_its_documents_not_their_keys(dataset):
    series = dataset.monthly("special_constables", dt.date(2021, 3, 31))
    published = series[series["status"] == "published"]
    assert len(published) and not published["source"].str.contains("seed-").any()
    assert published["source"].str.contains("Police and Crime Plan 2016 to 2021 Closure Report para 2.7").any()
