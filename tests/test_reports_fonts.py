"""The documents' CJK font is embedded as a subset and its text extracts."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFile
from reportlab.pdfgen import canvas

from reports import fonts
from tests.conftest import hall_settings
from tui.factory import open_database


def test_missing_font_is_a_clear_error(tmp_path):
    """The hall's configured font (Settings.cjk_font, handed over by the app factory) is missing."""
    open_database(hall_settings(tmp_path, cjk_font=tmp_path / "none.ttf"), url=f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(fonts.FontNotFound) as err:
            fonts.register_cjk_font()
        assert "fonts-wqy-microhei" in str(err.value) and "WANGQIAN_CJK_FONT" in str(err.value)
    finally:
        fonts.configure(None)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed (.ci/run installs it)")
def test_embedded_subset_renders_and_extracts(tmp_path):
    name = fonts.register_cjk_font()
    pdf = tmp_path / "t.pdf"
    c = canvas.Canvas(str(pdf))
    c.setFont(name, 14)
    c.drawString(72, 720, "网签柜台 受理回执 F202203290000015")
    c.save()
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw  # TrueType program embedded
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "网签柜台 受理回执 F202203290000015" in text
    fonts_out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "yes" in fonts_out.splitlines()[-1]  # emb column
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_font_tables_are_read_once_and_unchanged():
    """The registered font keeps the raw tables it subsets from (not re-sliced
    for every document); they are the bytes reportlab reads from the file."""
    face = pdfmetrics.getFont(fonts.register_cjk_font()).face
    fresh = TTFontFile(face.filename, subfontIndex=0)
    for tag in ("glyf", "head", "hhea", "maxp", "name", "post"):
        assert face.get_table(tag) is face.get_table(tag)
        assert face.get_table(tag) == fresh.get_table(tag)
