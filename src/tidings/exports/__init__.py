"""Exports: the content data export (a ZIP of CSVs of the workspace's content) and reporting datasets
(gzipped CSV), both run by the job runner."""
