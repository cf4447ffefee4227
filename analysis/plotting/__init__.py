"""Plot helpers: the book's figure style and provenance-aware drawing."""
