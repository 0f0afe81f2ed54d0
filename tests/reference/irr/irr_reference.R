# Reference values for youthtransitions.qual reliability (Cohen's kappa, Krippendorff's alpha).
# R 4.2, irr 0.84.1 (not packaged in Debian: installed from the CRAN source with
# R CMD INSTALL -l <lib> irr; it needs lpSolve). Run from the repository root:
#   Rscript tests/reference/irr/irr_reference.R
# Writes tests/reference/irr/krippendorff_example.csv, kappa_anxiety.csv, code_reliability.csv
library(irr)
here <- "tests/reference/irr"

# 1. Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units
nmm <- matrix(c(1, 1, NA, 1, 2, 2, 3, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 2, 3, 4,
                4, 4, 4, 4, 1, 1, 2, 1, 2, 2, 2, 2, NA, 5, 5, 5, NA, NA, 1, 1, NA, 3, NA, NA),
              nrow = 4)
methods <- c("nominal", "ordinal", "interval", "ratio")
ka <- data.frame(method = methods,
                 alpha = sapply(methods, function(m) kripp.alpha(nmm, m)$value))
write.csv(ka, file.path(here, "krippendorff_example.csv"), row.names = FALSE)

# 2. Cohen's kappa on irr's anxiety data (raters 1 and 2)
data(anxiety)
write.csv(anxiety, file.path(here, "anxiety.csv"), row.names = FALSE)
kw <- c("unweighted", "equal", "squared")
kp <- data.frame(weight = kw,
                 kappa = sapply(kw, function(w) kappa2(anxiety[, 1:2], w)$value))
write.csv(kp, file.path(here, "kappa_anxiety.csv"), row.names = FALSE)

# 3. The double-coded example codes (make_codes.py)
codes <- read.csv(file.path(here, "double_coded.csv"), stringsAsFactors = FALSE)
ncod <- tapply(codes$coder, codes$segment_id, function(x) length(unique(x)))
dbl <- codes[codes$segment_id %in% names(ncod)[ncod >= 2], ]
segs <- sort(unique(dbl$segment_id))
coders <- sort(unique(dbl$coder))
wide <- function(v) {  # segments x coders
  m <- matrix(NA_real_, length(segs), length(coders))
  m[cbind(match(dbl$segment_id, segs), match(dbl$coder, coders))] <- v
  m
}
specs <- list(c("power", "any"), c("recognition", "any"), c("responsiveness", "any"),
              c("mutuality", "any"), c("power", "care"), c("power", "control"),
              c("mutuality", "friend_like"), c("mutuality", "professional"))
out <- list()
add <- function(comp, mech, dim, scale, measure, n, est) {
  out[[length(out) + 1]] <<- data.frame(comparison = comp, mechanism = mech, dimension = dim,
                                        scale = scale, measure = measure, n_units = n,
                                        estimate = est)
}
for (s in specs) {
  hit <- dbl$mechanism == s[1]
  if (s[2] != "any") hit <- hit & dbl$dimension == s[2]
  pres <- wide(as.numeric(hit))
  lev <- wide(ifelse(hit, dbl$level, NA))
  add("coders", s[1], s[2], "presence", "cohen_kappa", nrow(na.omit(pres)),
      kappa2(pres, "unweighted")$value)
  add("coders", s[1], s[2], "presence", "alpha_nominal", sum(rowSums(!is.na(pres)) >= 2),
      kripp.alpha(t(pres), "nominal")$value)
  add("coders", s[1], s[2], "level", "weighted_kappa", nrow(na.omit(lev)),
      kappa2(lev, "equal")$value)
  add("coders", s[1], s[2], "level", "alpha_ordinal", sum(rowSums(!is.na(lev)) >= 2),
      kripp.alpha(t(lev), "ordinal")$value)
}

# youth versus PMK: activation (any confirmatory segment at level >= 1) from the primary
# coder's coding (coder_a codes every segment, so it is the primary coder)
prim <- codes[codes$coder == "coder_a", ]
active <- function(src, mech) {
  d <- prim[prim$source == src, ]
  ids <- sort(unique(d$youth_id))
  hit <- d$mechanism == mech & d$level >= 1 & d$instance == "confirmatory"
  setNames(as.numeric(ids %in% d$youth_id[hit]), ids)
}
for (mech in c("power", "recognition", "responsiveness", "mutuality")) {
  y <- active("youth_interview", mech)
  p <- active("pmk_interview", mech)
  both <- intersect(names(y), names(p))
  r <- cbind(y[both], p[both])
  add("youth_vs_pmk", mech, "any", "activation", "cohen_kappa", length(both),
      kappa2(r, "unweighted")$value)
  add("youth_vs_pmk", mech, "any", "activation", "alpha_nominal", length(both),
      kripp.alpha(t(r), "nominal")$value)
  add("youth_vs_pmk", mech, "any", "activation", "agreement", length(both),
      mean(r[, 1] == r[, 2]))
}
write.csv(do.call(rbind, out), file.path(here, "code_reliability.csv"), row.names = FALSE)
