# Conditional modes with their conditional SDs (ranef(m, condVar = TRUE)), predictions and
# residuals of lme4 REML fits.
#   Rscript tests/reference/lme4_ranef/make.R
# Models: sleep_slope  Reaction ~ Days + (Days | Subject)   (sleepstudy)
#         sleep_ri     Reaction ~ Days + (1 | Subject)      (sleepstudy)
#         study        wellbeing ~ relationship_quality_within + relationship_quality_between
#                      + wave + (1 | youth_id)              (shipped study, rows with
#                      relationship_quality_within observed; wave numeric)
# Writes
#   ranef.csv        model, group, level, term, estimate, std_error (as broom.mixed ran_vals)
#   ranef_condcov.csv model, group, level, term1, term2, value: the conditional covariance
#                    matrix of each level's modes (the postVar array of ranef)
#   predictions.csv  model, row (1-based row of the data CSV), group_level, fitted
#                    (predict(m)), population (predict(m, re.form = NA)), resid_response,
#                    resid_pearson
#   newdata_predictions.csv  Subject, Days, predict (allow.new.levels = TRUE: an unknown
#                    Subject gets the population prediction), population (re.form = NA)
#   versions.csv, session_info.txt
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                       value = TRUE))))
source(file.path(here, "..", "r_common", "common.R"))
suppressPackageStartupMessages(library(lme4))

sleep <- read_ref(here, "r_datasets", "sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject)
sleep$row <- seq_len(nrow(sleep))
study <- read_ref(here, "shipped_study", "headline.csv")
study$row <- seq_len(nrow(study))
study <- study[!is.na(study$relationship_quality_within), ]
fit <- function(f, data) lmer(f, data = data, REML = TRUE, control = tight_lmer())
fits <- list(
  sleep_slope = fit(Reaction ~ Days + (Days | Subject), sleep),
  sleep_ri = fit(Reaction ~ Days + (1 | Subject), sleep),
  study = fit(wellbeing ~ relationship_quality_within + relationship_quality_between +
                 wave + (1 | youth_id), study))
data_of <- list(sleep_slope = sleep, sleep_ri = sleep, study = study)
group_of <- c(sleep_slope = "Subject", sleep_ri = "Subject", study = "youth_id")

rrows <- list(); crows <- list(); prows <- list()
for (nm in names(fits)) {
  re <- ranef(fits[[nm]], condVar = TRUE)
  for (g in names(re)) {
    modes <- re[[g]]
    pv <- attr(modes, "postVar")            # q x q x levels
    terms <- colnames(modes)
    for (k in seq_along(terms)) {
      rrows[[length(rrows) + 1]] <- data.frame(
        model = nm, group = g, level = rownames(modes), term = terms[k],
        estimate = modes[[k]], std_error = sqrt(pv[k, k, ]), row.names = NULL)
      for (l in seq_along(terms)) {
        crows[[length(crows) + 1]] <- data.frame(
          model = nm, group = g, level = rownames(modes), term1 = terms[k], term2 = terms[l],
          value = pv[k, l, ], row.names = NULL)
      }
    }
  }
  d <- data_of[[nm]]
  prows[[nm]] <- data.frame(
    model = nm, row = d$row, group_level = as.character(d[[group_of[[nm]]]]),
    fitted = unname(predict(fits[[nm]])),
    population = unname(predict(fits[[nm]], re.form = NA)),
    resid_response = unname(residuals(fits[[nm]], type = "response")),
    resid_pearson = unname(residuals(fits[[nm]], type = "pearson")), row.names = NULL)
}
write_ref(do.call(rbind, rrows), here, "ranef.csv")
write_ref(do.call(rbind, crows), here, "ranef_condcov.csv")
write_ref(do.call(rbind, prows), here, "predictions.csv")

# new data: a known Subject, an unknown one, and a Days value outside the observed 0..9
new <- data.frame(Subject = c("308", "308", "308", "999", "999", "999"),
                  Days = c(0, 4.5, 12, 0, 4.5, 12))
m <- fits$sleep_slope
write_ref(data.frame(new, predict = unname(predict(m, newdata = new, allow.new.levels = TRUE)),
                     population = unname(predict(m, newdata = new, re.form = NA))),
          here, "newdata_predictions.csv")
write_versions(here, c("lme4", "Matrix"))
print(head(do.call(rbind, rrows)), digits = 10)
