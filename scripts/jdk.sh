# Sourced by mvnw, bin/playlens and bench/jmh.sh: the JDK to run on, whatever the machine's default
# java — $JAVA_HOME if it is 21 or newer, else the newest JDK 21+ under /usr/lib/jvm.

java_major() { # prints the feature version of the java binary under $1, or 0
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  echo "${v:-0}"
}

pick_jdk() { # prints the JDK's home, or explains and fails
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && $(java_major "$JAVA_HOME") -ge 21 ]]; then
    echo "$JAVA_HOME"; return
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [[ -x "$d/bin/javac" ]] || continue
    v=$(java_major "$d")
    if (( v >= 21 && v > best_v )); then best=$d; best_v=$v; fi
  done
  if [[ -z "$best" ]]; then
    echo "playlens: no JDK 21+ found (JAVA_HOME or /usr/lib/jvm). Install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
    return 1
  fi
  echo "$best"
}
