"""The README's picture of the rota sheet: the Rota sheet of a roster.xlsx,
printed to PDF by LibreOffice and rasterised by pdftoppm (Debian packages
libreoffice-calc and poppler-utils), cropped to the table.

    python docs/tools/rota_screenshot.py out/docs/bank_plan/roster.xlsx docs/images/rota_sheet.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from PIL import Image, ImageOps

ROWS = 24  # the first agents: enough to read, small enough for a page


def main(workbook: Path, image: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    for name in book.sheetnames:
        if name != "Rota":
            del book[name]
    rota = book["Rota"]
    rota.page_setup.orientation = "landscape"
    rota.sheet_properties.pageSetUpPr.fitToPage = True
    rota.page_setup.fitToWidth, rota.page_setup.fitToHeight = 1, 0
    rota.print_area = f"A1:{openpyxl.utils.get_column_letter(min(rota.max_column, 19))}{ROWS}"
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / "rota.xlsx"
        book.save(sheet)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder,
                        str(sheet)], check=True, capture_output=True)
        subprocess.run(["pdftoppm", "-png", "-r", "120", "-f", "1", "-l", "1",
                        str(Path(folder) / "rota.pdf"), str(Path(folder) / "page")], check=True)
        page = Image.open(next(Path(folder).glob("page*.png"))).convert("RGB")
    left, top, right, bottom = ImageOps.invert(page).getbbox()
    page.crop((left - 16, top - 16, right + 16, bottom + 16)).save(image, optimize=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
