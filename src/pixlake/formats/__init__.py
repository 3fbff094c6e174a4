"""COCO, YOLO and Pascal VOC: pure translators between pixlake's annotations and documents.

``conventions`` holds the rules both directions share; ``writers`` produce documents, ``readers``
parse them. The services do the database reads and writes; the SDK never imports this package.
"""
