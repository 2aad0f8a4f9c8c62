# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run).
# shellcheck disable=SC2034 # WALL, KIB and CODE are read by the scripts that source this file

# Runs a command once; sets WALL (s), KIB (peak RSS) and CODE (exit code).
measure() {
    local tmp
    tmp=$(mktemp)
    if /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>&1; then CODE=0; else CODE=$?; fi
    # On failure /usr/bin/time writes "Command exited with non-zero status N" first.
    read -r WALL KIB < <(tail -n 1 "$tmp")
    rm -f "$tmp"
}

# The Hugo peer: a minimal three-file theme and one content page per
# component docs page of the catalog in $1, written to $2 (replaced).
# components/<name>/docs/index.md -> content/docs/<name>/_index.md (the
# section page), components/<name>/docs/<page>.md -> content/docs/<name>/<page>.md.
# Prints the number of pages. Used by build.sh (hugo) and serve.sh (hugo server).
hugo_peer_site() {
    local site=$2
    rm -rf "$site"
    mkdir -p "$site/layouts/_default"
    cat >"$site/config.toml" <<'EOF'
baseURL = "http://localhost/"
title = "Portolan bench peer"
languageCode = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[outputs]
home = ["HTML"]
section = ["HTML"]
page = ["HTML"]
[markup.highlight]
codeFences = false
EOF
    cat >"$site/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ with .Title }}{{ . }}{{ else }}{{ with .File }}{{ .ContentBaseName }}{{ end }}{{ end }} · {{ .Site.Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body>
</html>
EOF
    cat >"$site/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<p><a href="{{ .Parent.RelPermalink }}">{{ with .Parent }}{{ with .Title }}{{ . }}{{ else }}{{ with .File }}{{ .ContentBaseName }}{{ end }}{{ end }}{{ end }}</a></p><article>{{ .Content }}</article>{{ end }}
EOF
    cat >"$site/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<nav><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ with .Title }}{{ . }}{{ else }}{{ with .File }}{{ .ContentBaseName }}{{ end }}{{ end }}</a></li>{{ end }}</ul></nav><article>{{ .Content }}</article>{{ end }}
EOF
    # components/<name>/docs/index.md -> content/docs/<name>/_index.md (the section page),
    # components/<name>/docs/<page>.md -> content/docs/<name>/<page>.md
    python3 - "$1/components" "$site/content/docs" <<'EOF'
import os, shutil, sys
src, dst = sys.argv[1:]
count = 0
for comp in sorted(os.listdir(src)):
    docs = os.path.join(src, comp, "docs")
    if not os.path.isdir(docs):
        continue
    os.makedirs(os.path.join(dst, comp))
    for name in os.listdir(docs):
        if name.endswith(".md"):
            target = "_index.md" if name == "index.md" else name
            shutil.copyfile(os.path.join(docs, name), os.path.join(dst, comp, target))
            count += 1
print(count)
EOF
}
