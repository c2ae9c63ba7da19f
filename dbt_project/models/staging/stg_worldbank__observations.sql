{{ stage_observations('worldbank_observations') }}
