#!/bin/sh
# Renders every <template dir>/**/*<suffix> into <output dir>, keeping
# sub-directories, with envsubst over the environment variables whose names
# match NGINX_ENVSUBST_FILTER (all when unset): any other $name, such as
# nginx's own $host, is left as it is. The official image's variables and
# defaults: NGINX_ENVSUBST_TEMPLATE_DIR=/etc/nginx/templates,
# NGINX_ENVSUBST_TEMPLATE_SUFFIX=.template, NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx/conf.d.
set -eu

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
  exit 0
fi

# "${A} ${B} ...": the variables envsubst may replace.
variables="$(awk 'END { for (name in ENVIRON) print name }' </dev/null | grep -E -- "${filter:-.}" | sed 's/.*/${&}/' | tr '\n' ' ')"

find "$template_dir" -follow -type f -name "*$suffix" | while read -r template; do
  relative="${template#"$template_dir/"}"
  output="$output_dir/${relative%"$suffix"}"
  mkdir -p "$(dirname "$output")"
  echo "$0: rendering $template to $output"
  envsubst "$variables" <"$template" >"$output"
done
