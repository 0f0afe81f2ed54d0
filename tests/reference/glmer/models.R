# The GLMMs shared by glmer/ and performance_r2_glmm/ (lme4::glmer, optimiser run to a tight
# tolerance). Source after ../r_common/common.R; `reference_glmms(here)` returns a named list
# of fits, `reference_glmm_data(here)` their data sets.
#   cbpp_logit_laplace / _agq10   cbind(incidence, size - incidence) ~ period + (1 | herd)
#   cbpp_probit_laplace / _agq10  the same with binomial(link = "probit")
#   cbpp_binary_laplace           incidence01 ~ period + (1 | herd) on cbpp expanded to one 0/1
#                                 row per animal (cbpp_binary.csv, written by glmer/make.R)
#   cbpp_poisson_offset_laplace / _agq10  incidence ~ period + offset(log(size)) + (1 | herd)
#   grouse_poisson                TICKS ~ YEAR + scale(HEIGHT) + (1 | BROOD) + (1 | LOCATION)
#                                 (scale: (HEIGHT - mean) / sd with the n - 1 sd; Laplace)
#   study_binary_laplace / _agq10 high_wellbeing ~ relationship_quality_within +
#                                 relationship_quality_between + wave + (1 | youth_id), where
#                                 high_wellbeing = wellbeing >= 3.5 (shipped study, rows with
#                                 the within part; wave numeric)
suppressPackageStartupMessages(library(lme4))

expand_binary <- function(cbpp) {
  rows <- lapply(seq_len(nrow(cbpp)), function(i) {
    r <- cbpp[i, ]
    data.frame(herd = r$herd, period = r$period,
               incidence01 = c(rep(1L, r$incidence), rep(0L, r$size - r$incidence)))
  })
  do.call(rbind, rows)
}

reference_glmm_data <- function(here) {
  cbpp <- read_ref(here, "r_datasets", "cbpp.csv")
  cbpp$herd <- factor(cbpp$herd, levels = sort(unique(cbpp$herd)))
  cbpp$period <- factor(cbpp$period)
  binary <- expand_binary(cbpp)
  grouse <- read_ref(here, "r_datasets", "grouseticks.csv")
  for (c in c("BROOD", "LOCATION", "YEAR")) grouse[[c]] <- factor(grouse[[c]])
  study <- read_ref(here, "shipped_study", "headline.csv")
  study <- study[!is.na(study$relationship_quality_within), ]
  study$high_wellbeing <- as.integer(study$wellbeing >= 3.5)
  list(cbpp = cbpp, binary = binary, grouse = grouse, study = study)
}

reference_glmms <- function(here) {
  # The data sets live in the global environment and each call names them, so update() (which
  # insight uses to refit the null model for r2_nakagawa) can re-evaluate the call.
  d <- reference_glmm_data(here)
  assign("cbpp", d$cbpp, globalenv()); assign("cbpp_binary", d$binary, globalenv())
  assign("grouse", d$grouse, globalenv()); assign("study", d$study, globalenv())
  g <- function(f, data, family, nagq = 1) {
    eval(bquote(glmer(.(f), data = .(as.name(data)), family = .(family), nAGQ = .(nagq),
                      control = tight_glmer())), globalenv())
  }
  cb <- cbind(incidence, size - incidence) ~ period + (1 | herd)
  po <- incidence ~ period + offset(log(size)) + (1 | herd)
  st <- high_wellbeing ~ relationship_quality_within + relationship_quality_between + wave +
    (1 | youth_id)
  probit <- quote(binomial(link = "probit"))
  list(
    cbpp_logit_laplace = g(cb, "cbpp", quote(binomial)),
    cbpp_logit_agq10 = g(cb, "cbpp", quote(binomial), 10),
    cbpp_probit_laplace = g(cb, "cbpp", probit),
    cbpp_probit_agq10 = g(cb, "cbpp", probit, 10),
    cbpp_binary_laplace = g(incidence01 ~ period + (1 | herd), "cbpp_binary", quote(binomial)),
    cbpp_poisson_offset_laplace = g(po, "cbpp", quote(poisson)),
    cbpp_poisson_offset_agq10 = g(po, "cbpp", quote(poisson), 10),
    grouse_poisson = g(TICKS ~ YEAR + scale(HEIGHT) + (1 | BROOD) + (1 | LOCATION), "grouse",
                       quote(poisson)),
    study_binary_laplace = g(st, "study", quote(binomial)),
    study_binary_agq10 = g(st, "study", quote(binomial), 10))
}
