"""The Excel round trip of a statistics table: a pre-filled template to download
(`template.build_template`, openpyxl) and reading a filled one back (`upload`,
python-calamine), refused whole with sheet and cell references or saved whole."""

from seire.collection.excel.template import TEMPLATE_FORMAT, build_template
from seire.collection.excel.upload import ZIP_SIGNATURE, import_workbook, read_workbook

__all__ = ["TEMPLATE_FORMAT", "ZIP_SIGNATURE", "build_template", "import_workbook", "read_workbook"]
