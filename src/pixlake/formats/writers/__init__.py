"""Writers: pixlake annotations, page by page, into COCO, YOLO and Pascal VOC documents."""
