// Linux stand-in for <sal.h>: the module includes it as the seed examples
// do, and uses no annotations.
#pragma once
