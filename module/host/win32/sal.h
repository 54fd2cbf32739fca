// Linux stand-in for <sal.h>: the module includes it as the examples on
// Microsoft's reference pages do, and uses no annotations.
#pragma once
