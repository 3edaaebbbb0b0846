# Sourced by scripts/_venv.sh: the system libraries WeasyPrint needs to write PDF sheets
# (Pango, fontconfig, and the Liberation fonts the sheets are set in, metric twins of Arial).
# Installed with apt-get when missing and allowed (root on Debian/Ubuntu); else say what to add.
if [ "$(uname -s)" = Linux ]; then
  libraries="$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null || true)"
  fonts="$(fc-list 2>/dev/null || true)"
  missing=()
  grep -q 'libpango-1\.0\.so\.0' <<<"$libraries" || missing+=(libpango-1.0-0)
  grep -q 'libpangoft2-1\.0\.so\.0' <<<"$libraries" || missing+=(libpangoft2-1.0-0)
  command -v fc-list >/dev/null || missing+=(fontconfig)
  grep -qi 'Liberation Sans' <<<"$fonts" || missing+=(fonts-liberation)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "Installing ${missing[*]} for PDF sheets" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2
    else
      echo "PDF sheets need these system packages: ${missing[*]}" \
           "(sudo apt-get install ${missing[*]}; on macOS: brew install pango)" >&2
    fi
  fi
fi
