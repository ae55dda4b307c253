"""Accessibility of what readers see: chart colours that stay apart for colour-blind readers,
alt text on every chart, and header cells on every table of the built site."""

import itertools
import re

import numpy as np
import pytest

from pcpbook.present import figures

# Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", IEEE TVCG 15(6): matrices for severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
SRGB_TO_XYZ = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
WHITE = [0.95047, 1.0, 1.08883]
MINIMUM_DISTANCE = 12  # CIELAB ΔE*ab: about 2.3 is just noticeable; 12 is plainly different


def linear(colour):
    colour = np.asarray(colour, dtype=float)
    return np.where(colour <= 0.04045, colour / 12.92, ((colour + 0.055) / 1.055) ** 2.4)


def cielab(linear_rgb):
    xyz = np.asarray(SRGB_TO_XYZ) @ np.clip(linear_rgb, 0, 1) / WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour, matrix=np.eye(3)):
    return cielab(np.asarray(matrix) @ linear(colour))


def test_the_distance_is_zero_for_one_colour_and_large_for_black_and_white():
    assert np.linalg.norm(seen((0.2, 0.4, 0.6)) - seen((0.2, 0.4, 0.6))) == 0
    assert np.linalg.norm(seen((1, 1, 1)) - seen((0, 0, 0))) == pytest.approx(100, abs=0.5)
    red, green = (0.8, 0.1, 0.1), (0.1, 0.6, 0.1)  # the classic pair a deuteranope confuses
    deuteranope = SIMULATIONS["deuteranopia"]
    assert np.linalg.norm(seen(red, deuteranope) - seen(green, deuteranope)) < MINIMUM_DISTANCE
    assert np.linalg.norm(seen(red) - seen(green)) > MINIMUM_DISTANCE


@pytest.mark.parametrize("vision", ["typical", *SIMULATIONS])
def test_every_pair_of_chart_colours_stays_apart(vision):
    matrix = SIMULATIONS.get(vision, np.eye(3))
    for (role_a, a), (role_b, b) in itertools.combinations(figures.COLOURS.items(), 2):
        distance = np.linalg.norm(seen(a, matrix) - seen(b, matrix))
        assert distance >= MINIMUM_DISTANCE, (vision, role_a, role_b, round(distance, 1))


@pytest.mark.slow
def test_every_image_has_alt_text_and_every_table_header_cells(site):
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    assert len(pages) > 30
    images = tables = 0
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<img\b[^>]*>", raw):
            images += 1
            alt = re.search(r'\balt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), (page, tag[:120])
        for table in re.findall(r"<table\b.*?</table>", raw, flags=re.S):
            tables += 1
            # a header row, or (a table of labelled facts) a header cell heading each row
            assert re.search(r"<thead>.*?<th\b|<th scope=\"row\"", table, flags=re.S), (page, table[:200])
    assert images > 50 and tables > 50
