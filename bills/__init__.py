"""Reading an electricity bill end to end: files, PDF text, OCR, image preparation, orientation,
fields, checks, the vision path and what to tell the lead."""
