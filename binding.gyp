{
  "targets": [
    {
      "target_name": "rsna_mammo",
      "sources": ["<!@(node scripts/gyp-sources.js)"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native",
        "<!@(node scripts/gyp-codecs.js include_dirs)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "<!@(node scripts/gyp-codecs.js defines)"
      ],
      "libraries": ["<!@(node scripts/gyp-codecs.js libraries)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fvisibility=hidden"],
      "ldflags": ["-pthread", "-Wl,-rpath,'$$ORIGIN'"]
    }
  ]
}
