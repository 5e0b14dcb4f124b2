#include "ccopia_jpeg.h"
