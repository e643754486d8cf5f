"""Exports of each month's promoted ideas: CSV, Excel-friendly CSV, XLSX and JSON."""
