"""重复与虚假资料 (002 §5.2.2; SPEC §8): the monthly report of likely duplicates and of records
with obviously fake data.

- `rules`: how values are normalised and judged, written once as database expressions (so a
  million customers are grouped and filtered by the database) with Python twins for display;
- `report`: the report itself, scoped to what the viewer may see;
- `export`: the same report as an Excel workbook.
"""
