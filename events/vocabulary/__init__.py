"""What a development is: its types and fields (declared once), EDTF dates, references, validation, errors."""
