{{ stage_observations('metro_gdp_observations') }}
