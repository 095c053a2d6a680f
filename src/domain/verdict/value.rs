//! The value arithmetic of rule 5: V = value_base × uplift_pct/100 + hours × 12 × hourly_cost ×
//! automatable_share, against the yearly cost of an ML project.

use super::rules::{Ctx, In};
use super::{Labour, Revenue, ValueEstimate};
use crate::domain::checklist::Input;

pub(super) enum Estimate {
    NotGiven,
    Incomplete,
    Ready(ValueEstimate),
}

impl Ctx<'_, '_> {
    pub(super) fn estimate(&self) -> Estimate {
        let inputs = ["value_base", "uplift_pct", "hours"];
        let missing: Vec<String> =
            inputs.iter().filter(|q| matches!(self.input(q), Input::Missing)).map(|q| q.to_string()).collect();
        let given = inputs.iter().filter(|q| matches!(self.input(q), Input::Given(_))).count();
        if given == 0 {
            return Estimate::NotGiven;
        }
        if !missing.is_empty() {
            return Estimate::Incomplete;
        }
        let s = self.settings;
        let revenue = match (self.number("value_base"), self.number("uplift_pct")) {
            (In::Is(base), In::Is(uplift)) if base > 0.0 => {
                Some(Revenue { base, uplift_pct: uplift, amount: base * uplift / 100.0 })
            }
            _ => None,
        };
        let labour = match self.number("hours") {
            In::Is(h) if h > 0.0 => Some(Labour {
                hours_per_month: h,
                hourly_cost: s.hourly_cost,
                automatable_share: s.automatable_share,
                amount: h * 12.0 * s.hourly_cost * s.automatable_share,
            }),
            _ => None,
        };
        let yearly_value = revenue.as_ref().map_or(0.0, |r| r.amount) + labour.as_ref().map_or(0.0, |l| l.amount);
        Estimate::Ready(ValueEstimate {
            currency: s.currency.code().to_string(),
            revenue,
            labour,
            yearly_value,
            yearly_cost: s.ml_yearly_cost,
        })
    }
}
