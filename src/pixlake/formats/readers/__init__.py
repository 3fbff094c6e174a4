"""Readers of COCO, YOLO and Pascal VOC annotation files into typed records.

Each reader is pure: it takes a file's name and bytes and gives ``records.ParsedFile``s, or
raises ``AnnotationFileError`` naming the file and the item at fault. What a record means
for a dataset version (which asset, which label, inside which image) is decided by the
import service, which writes everything in one transaction.
"""
