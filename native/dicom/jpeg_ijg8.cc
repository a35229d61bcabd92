// GDCM's 8-bit IJG fork (see jpeg_ijg_impl.h).
#ifdef RSNA_HAVE_GDCM_JPEG
#define RSNA_IJG_HEADER "gdcmjpeg/8/jpeglib.h"
#define RSNA_IJG_DECODE DecodeIjg8
#include "jpeg_ijg_impl.h"
#endif
