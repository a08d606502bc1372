"""Season statistics (活动统计): tables, charts, markdown and the workbook."""
