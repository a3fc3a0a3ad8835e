#pragma once

// The one place the storage layer includes SOCI (internal header: only storage .cpp files
// and tests include it, never a public header of another layer).
//
// Debian's libsoci-dev 4.0.3 is built with SOCI_HAVE_BOOST, so <soci/soci.h> pulls
// boost::fusion headers that libboost-dev would have to provide. We use none of SOCI's
// Boost integrations (they are header-only templates, nothing in the compiled library
// depends on them), so the macro is dropped before the rest of SOCI is seen.
#include <soci/soci-config.h>
#undef SOCI_HAVE_BOOST
#undef SOCI_HAVE_BOOST_DATE_TIME

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
