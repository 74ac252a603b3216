#!/bin/sh
# ensure-program.sh PROGRAM DEBIAN_PACKAGE [optional]
# Installs the package with apt when the program is missing on Debian or
# Ubuntu as root; elsewhere stops with one line saying how to install it.
# An optional program (one only some tests need) only warns, except in CI,
# where a missing program must fail the run rather than skip its tests.
program=$1
package=$2
optional=$3
command -v "$program" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $package (for $program) with apt ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "$package" >/dev/null \
        && command -v "$program" >/dev/null 2>&1 && exit 0
    echo "Could not install $package with apt-get; install it by hand and run make again." >&2
    exit 1
fi
case $package in
    graphviz) hint="sudo apt-get install graphviz | brew install graphviz | conda install -c conda-forge graphviz" ;;
    chromium) hint="sudo apt-get install chromium | brew install --cask chromium" ;;
    zbar-tools) hint="sudo apt-get install zbar-tools | brew install zbar | conda install -c conda-forge zbar" ;;
    *) hint="sudo apt-get install $package" ;;
esac
if [ "$optional" = optional ] && [ "$CI" != true ]; then
    echo "Note: '$program' is missing, so the tests that need it are skipped; install it with one of: $hint" >&2
    exit 0
fi
echo "'$program' is missing; install it with one of: $hint" >&2
exit 1
