"""The scorecard cards: a static site (index + one page per city) with inline SVG charts."""
