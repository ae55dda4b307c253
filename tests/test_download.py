"""Downloaders: real addresses, resumable transfers and progress, tried against a local HTTP
server that serves fixture files, honours Range requests and can break a transfer midway."""

import importlib.util
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT
from pcpbook.sources import download, ingest

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
                 "Crime type,Last outcome category,Context")


def archive_bytes() -> bytes:
    """A small monthly archive in the police.uk layout: 40 Essex burglaries in 2024-03."""
    rows = [STREET_HEADER] + [f"id{i},2024-03,Essex Police,Essex Police,0.5,51.7,On or near X,E01000001,"
                              f"Area 001A,Burglary,Under investigation," for i in range(40)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2024-03/2024-03-essex-street.csv", "\r\n".join(rows) + "\r\n")
        archive.writestr("padding.bin", bytes(range(256)) * 400)  # big enough to break midway
    return buffer.getvalue()


class Server:
    """Files by path; ``cut_after`` bytes ends the next N responses early; ``fail`` answers the
    next N requests with HTTP 503; ``ranges`` False ignores Range requests."""

    def __init__(self):
        self.files, self.cut_after, self.cuts, self.fail, self.ranges, self.requests = {}, None, 0, 0, True, []

    def handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Range")))
                if server.fail:
                    server.fail -= 1
                    return self.send_error(503)
                body = server.files.get(self.path)
                if body is None:
                    return self.send_error(404)
                start, status = 0, 200
                asked = self.headers.get("Range")
                if asked and server.ranges:
                    start = int(asked.split("=")[1].rstrip("-"))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        return self.end_headers()
                    status = 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(body) - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                payload = body[start:]
                if server.cuts:
                    server.cuts -= 1
                    payload = payload[:server.cut_after]
                    self.close_connection = True
                self.wfile.write(payload)

        return Handler


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(download, "BLOCK", 1000)


@pytest.fixture
def server():
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_the_addresses_are_the_publishers_own():
    assert download.police_uk_url("2024-03") == "https://data.police.uk/data/archive/2024-03.zip"
    assert download.police_uk_url("latest") == "https://data.police.uk/data/archive/latest.zip"
    assert download.stats19_url("casualty", "2023") == (
        "https://data.dft.gov.uk/road-accidents-safety-data/dft-road-casualty-statistics-casualty-2023.csv")
    assert download.stats19_url("collision", "1979-latest-published-year").endswith(
        "dft-road-casualty-statistics-collision-1979-latest-published-year.csv")


@pytest.mark.parametrize("call, message", [
    (lambda: download.police_uk_url("2024-13"), "expected YYYY-MM"),
    (lambda: download.stats19_url("casualty", "2016"), "1979-latest-published-year"),
    (lambda: download.stats19_url("casualties", "2023"), "expected one of collision"),
])
def test_addresses_that_do_not_exist_are_refused(call, message):
    with pytest.raises(download.DownloadError, match=message):
        call()


def test_a_download_broken_midway_resumes_where_it_stopped_and_ingests(server, tmp_path):
    body = archive_bytes()
    server.files["/2024-03.zip"] = body
    server.cut_after, server.cuts = 30_000, 2
    path = download.fetch(download.police_uk_url("2024-03", server.base), tmp_path / "2024-03.zip",
                          wait=0, progress=False)
    assert path.read_bytes() == body
    assert not (tmp_path / "2024-03.zip.part").exists()
    resumed = [r for _, r in server.requests[1:]]
    assert resumed == ["bytes=30000-", "bytes=60000-"]
    result = ingest.police_uk([str(path)], force="Essex Police")
    rows = result.observations.set_index("measure")
    assert rows.loc["burglary", "value"] == 40


def test_a_finished_file_is_not_fetched_again(server, tmp_path):
    server.files["/dft-road-casualty-statistics-casualty-2023.csv"] = b"collision_index,casualty_severity\n1,2\n"
    url = download.stats19_url("casualty", "2023", server.base)
    download.fetch(url, tmp_path / "c.csv", progress=False)
    download.fetch(url, tmp_path / "c.csv", progress=False)
    assert len(server.requests) == 1


def test_a_part_left_complete_by_an_interrupted_run_is_finished_without_refetching(server, tmp_path):
    body = b"collision_index,date\n1,01/01/2023\n"
    server.files["/x.csv"] = body
    (tmp_path / "x.csv.part").write_bytes(body)
    assert download.fetch(server.base + "/x.csv", tmp_path / "x.csv", progress=False).read_bytes() == body
    assert server.requests == [("/x.csv", f"bytes={len(body)}-")]


def test_a_server_that_ignores_ranges_sends_the_whole_file_again(server, tmp_path):
    body = archive_bytes()
    server.files["/a.zip"] = body
    server.ranges, server.cut_after, server.cuts = False, 1000, 1
    assert download.fetch(server.base + "/a.zip", tmp_path / "a.zip", wait=0, progress=False).read_bytes() == body


def test_server_errors_are_retried_and_missing_files_are_not(server, tmp_path):
    server.files["/y.csv"] = b"a,b\n1,2\n"
    server.fail = 2
    assert download.fetch(server.base + "/y.csv", tmp_path / "y.csv", wait=0, progress=False).exists()
    assert len(server.requests) == 3
    with pytest.raises(download.DownloadError, match=r"not published \(HTTP 404\)"):
        download.fetch(server.base + "/2031-01.zip", tmp_path / "2031-01.zip", wait=0, progress=False)
    assert len(server.requests) == 4


def test_giving_up_keeps_the_partial_file_for_the_next_run(server, tmp_path):
    body = archive_bytes()
    server.files["/b.zip"] = body
    server.cut_after, server.cuts = 5000, 10
    with pytest.raises(download.DownloadError, match=r"gave up after 2 attempts.*10,000 bytes kept"):
        download.fetch(server.base + "/b.zip", tmp_path / "b.zip", attempts=2, wait=0, progress=False)
    server.cuts = 0
    assert download.fetch(server.base + "/b.zip", tmp_path / "b.zip", wait=0, progress=False).read_bytes() == body


def test_an_error_page_in_place_of_the_archive_is_refused(server, tmp_path):
    server.files["/2024-04.zip"] = b"<!DOCTYPE html><html><body>Maintenance</body></html>"
    with pytest.raises(download.DownloadError, match="sent a web page"):
        download.fetch(server.base + "/2024-04.zip", tmp_path / "2024-04.zip", progress=False)
    assert not list(tmp_path.iterdir())


def test_the_script_downloads_stats19_tables_with_progress_bars(server, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("download_script", ROOT / "scripts" / "download.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for table in ("collision", "casualty"):
        server.files[f"/dft-road-casualty-statistics-{table}-2024.csv"] = f"{table}_file\n".encode() * 5000
    assert script.main(["stats19", "2024", "--base-url", server.base, "--to", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dft-road-casualty-statistics-casualty-2024.csv", "dft-road-casualty-statistics-collision-2024.csv"]
    assert "dft-road-casualty-statistics-casualty-2024.csv" in out.err  # tqdm writes its bar to stderr
    assert script.main(["police-uk", "2024-3", "--base-url", server.base, "--to", str(tmp_path)]) == 2
    assert "expected YYYY-MM" in capsys.readouterr().err
