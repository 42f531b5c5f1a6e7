#!/usr/bin/env bash
# Installs the OCR engine beside the Python packages (`make install` runs it): Debian's
# tesseract-ocr 5 with English, German, French and Spanish, as root with apt-get (the way
# tests/setup_browser.sh installs the browsers). Without root it says what to install and exits 0:
# the service then answers scans and images with 422 `ocr_unavailable`, the OCR tests fail
# rather than skip (they are not optional), and CI, which runs as root, installs it.
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup_ocr: installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v tesseract >/dev/null; then
    echo "setup_ocr: tesseract is installed but not ${missing[*]} (needs root: apt-get install ${missing[*]})"
else
    echo "setup_ocr: OCR needs Tesseract and installing it needs root: apt-get install ${missing[*]}" \
         "(without it scans and images get 422 ocr_unavailable)."
fi
