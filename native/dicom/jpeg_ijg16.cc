// GDCM's 16-bit IJG fork (see jpeg_ijg_impl.h).
#ifdef RSNA_HAVE_GDCM_JPEG
#define RSNA_IJG_HEADER "gdcmjpeg/16/jpeglib.h"
#define RSNA_IJG_DECODE DecodeIjg16
#include "jpeg_ijg_impl.h"
#endif
