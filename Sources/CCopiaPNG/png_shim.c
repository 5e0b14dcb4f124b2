#include "ccopia_png.h"
