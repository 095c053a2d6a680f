#!/usr/bin/env bash
# Rebuilds chart-font.otf: Noto Sans CJK JP (SIL Open Font License 1.1, see OFL.txt) cut down to
# the characters the chart can need — ASCII, common punctuation, kana, and every character of
# prompts/*.toml — so the binary carries no more than it draws.
# Needs: Debian's fonts-noto-cjk and `pip install fonttools`. Run from the repository root after
# changing texts in prompts/.
set -euo pipefail
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
chars=$(mktemp)
cat prompts/*.toml > "$chars"
pyftsubset "$src" --font-number=0 \
  --text-file="$chars" \
  --unicodes="U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-205E,U+2190-2199,U+2212,U+3000-303F,U+3040-309F,U+30A0-30FF,U+FF01-FF5E" \
  --layout-features='' --no-hinting --desubroutinize \
  --output-file=assets/fonts/chart-font.otf
rm -f "$chars"
ls -l assets/fonts/chart-font.otf
