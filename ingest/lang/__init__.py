"""The Vietnamese language layer: the bottom floor, imported by every stage, importing nothing of
the product. Normalisation and accent folding (``normalize``), sentence splitting
(``sentences``), term analysis (``terms``), abbreviations and equivalent phrases
(``abbreviations``), and the patterns of administrative text: số hiệu, dates, provinces,
names (``patterns``)."""
