"""The public catalogue (发布报告目录): a static site of the released reports."""
