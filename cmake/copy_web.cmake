# Copies the web shell (web/) next to the built wasm so build/web/site is one self-contained folder.
#
# The page glue is the exception: its source is web/glue/*.js, pieces of at most about 400 lines, and the
# site gets them joined in name order into one knobs-glue.js (a single script keeps the strict CSP, the
# service worker's offline list and embedding as they are). The pieces themselves stay out of the site.
# tests/browser/glue-pieces.test.mjs checks that the site's knobs-glue.js is exactly this join, with the
# build id stamped in.
#
# The build id: the first 16 hex digits of a SHA-256 over what the site is made of (every file of web/,
# glue pieces included, and the engine files the link wrote), so the same sources give the same id and any
# change to a shipped file gives a new one. It is stamped where "@KNOBS_BUILD_ID@" stands in index.html,
# the glue, sw.js and train-worker.js: index.html and the glue ask for every other file with "?v=<id>", so
# a browser or HTTP cache can never hand one build's page another build's files, and the service worker
# keeps one copy per build (docs/embedding.md, "Offline").
if(EXISTS "${SRC}/knobs-glue.js")
  message(FATAL_ERROR "web/knobs-glue.js is built from web/glue/*.js now: delete it, and make any change in the pieces")
endif()

# The files that carry the id; everything else is copied byte for byte.
set(stamped index.html sw.js train-worker.js)
set(token "@KNOBS_BUILD_ID@")

file(GLOB_RECURSE files RELATIVE "${SRC}" "${SRC}/*")
list(SORT files)
set(shipped "")
foreach(f IN LISTS files)
  if(NOT f MATCHES "(^|/)README\\.md$")
    list(APPEND shipped "${f}")
  endif()
endforeach()

# ---- the id -------------------------------------------------------------------------------------------
# One line per input, "path sha256", in a fixed order. The engine files are read from the site folder
# (the link writes them there); one that is not linked yet is left out, and the next copy, which runs
# after every link, counts it.
set(manifest "")
foreach(f IN LISTS shipped)
  file(SHA256 "${SRC}/${f}" digest)
  string(APPEND manifest "web/${f} ${digest}\n")
endforeach()
foreach(f knobs.js knobs.wasm knobs_train_worker.js knobs_train_worker.wasm)
  if(EXISTS "${DST}/${f}")
    file(SHA256 "${DST}/${f}" digest)
    string(APPEND manifest "site/${f} ${digest}\n")
  endif()
endforeach()
string(SHA256 build_id "${manifest}")
string(SUBSTRING "${build_id}" 0 16 build_id)

# Writes `text` to `path` only when it differs, like COPY_FILE ONLY_IF_DIFFERENT below.
function(write_if_different path text)
  set(before "")
  if(EXISTS "${path}")
    file(READ "${path}" before)
  endif()
  if(NOT before STREQUAL text)
    file(WRITE "${path}" "${text}")
  endif()
endfunction()

# Writes `text` to `path` with the build id in place of the token, which must be there (`what` names the source).
function(write_stamped path text what)
  string(FIND "${text}" "${token}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} must carry ${token} (the build id is stamped there)")
  endif()
  string(REPLACE "${token}" "${build_id}" text "${text}")
  write_if_different("${path}" "${text}")
endfunction()

foreach(f IN LISTS shipped)
  if(NOT f MATCHES "^glue/")
    get_filename_component(dir "${DST}/${f}" DIRECTORY)
    file(MAKE_DIRECTORY "${dir}")
    list(FIND stamped "${f}" stamp_at)
    if(NOT stamp_at EQUAL -1)
      file(READ "${SRC}/${f}" text)
      write_stamped("${DST}/${f}" "${text}" "web/${f}")
    else()
      file(COPY_FILE "${SRC}/${f}" "${DST}/${f}" ONLY_IF_DIFFERENT)
    endif()
  endif()
endforeach()
# Pieces a build of another layout may have copied are not part of the site.
file(REMOVE_RECURSE "${DST}/glue")

file(GLOB glue_pieces "${SRC}/glue/*.js")
if(NOT glue_pieces)
  message(FATAL_ERROR "no page glue pieces in ${SRC}/glue/")
endif()
list(SORT glue_pieces)
set(glue "")
foreach(piece IN LISTS glue_pieces)
  file(READ "${piece}" text)
  string(APPEND glue "${text}")
endforeach()
write_stamped("${DST}/knobs-glue.js" "${glue}" "web/glue/*.js")
