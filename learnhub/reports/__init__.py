"""Coverage reports for ministries: one query layer, one Report object, many formats."""
