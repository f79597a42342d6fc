# Copies the web shell (web/) next to the built wasm so build/web/site is one self-contained folder.
#
# The page glue is the exception: its source is web/glue/*.js, pieces of at most about 400 lines, and the
# site gets them joined in name order into one knobs-glue.js (a single script keeps the strict CSP, the
# service worker's offline list and embedding as they are). The pieces themselves stay out of the site.
# tests/browser/glue-pieces.test.mjs checks that the site's knobs-glue.js is exactly this join.
if(EXISTS "${SRC}/knobs-glue.js")
  message(FATAL_ERROR "web/knobs-glue.js is built from web/glue/*.js now: delete it, and make any change in the pieces")
endif()

file(GLOB_RECURSE files RELATIVE "${SRC}" "${SRC}/*")
foreach(f IN LISTS files)
  if(NOT f MATCHES "(^|/)README\\.md$" AND NOT f MATCHES "^glue/")
    get_filename_component(dir "${DST}/${f}" DIRECTORY)
    file(MAKE_DIRECTORY "${dir}")
    file(COPY_FILE "${SRC}/${f}" "${DST}/${f}" ONLY_IF_DIFFERENT)
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
# Written only when it changed, like the copies above.
set(glue_before "")
if(EXISTS "${DST}/knobs-glue.js")
  file(READ "${DST}/knobs-glue.js" glue_before)
endif()
if(NOT glue_before STREQUAL glue)
  file(WRITE "${DST}/knobs-glue.js" "${glue}")
endif()
