"""Tables a phone can read: each body cell carries its column's name, so the stylesheet can show
a row as a card of "column: value" lines on a narrow screen."""

from pcpbook.core.stacking import stacked_tables

TABLE = ('<table class="table"><thead><tr class="row-odd"><th class="head"><p>Measure</p></th>'
         '<th class="head"><p>Change &amp; test</p></th></tr></thead><tbody>'
         '<tr class="row-even"><td><p>Burglary</p></td><td><p>-4%</p></td></tr>'
         '<tr class="row-odd"><td><p>Theft</p></td><td><p>+2%</p></td></tr></tbody></table>')


def test_each_body_cell_is_labelled_with_its_column_and_the_table_marked_stackable():
    page = stacked_tables("<p>Before</p>" + TABLE + "<p>After</p>")
    assert page.startswith("<p>Before</p>") and page.endswith("<p>After</p>")
    assert '<table class="table pcp-stacked">' in page
    assert page.count('<td data-label="Measure">') == 2
    assert page.count('<td data-label="Change &amp; test">') == 2
    assert "<th class=\"head\"><p>Measure</p></th>" in page  # the header row itself is unchanged


def test_a_row_header_cell_is_labelled_like_a_data_cell():
    table = ('<table class="pcp-commitments"><caption>Status</caption><thead><tr><th scope="col">No.</th>'
             '<th scope="col">Status</th></tr></thead><tbody><tr><th scope="row">1.1</th><td>done</td></tr></tbody></table>')
    page = stacked_tables(table)
    assert '<th scope="row" data-label="No.">1.1</th><td data-label="Status">done</td>' in page
    assert 'class="pcp-commitments pcp-stacked"' in page


def test_a_table_without_a_single_header_row_is_left_as_it_is():
    headless = '<table class="table"><tbody><tr><td>Force</td><td>Essex</td></tr></tbody></table>'
    assert stacked_tables(headless) == headless
    two_rows = TABLE.replace("</tr></thead>", "</tr><tr><th>x</th><th>y</th></tr></thead>")
    assert stacked_tables(two_rows) == two_rows


def test_stacking_twice_changes_nothing_more():
    once = stacked_tables(TABLE)
    assert stacked_tables(once) == once and once.count("data-label") == 4
