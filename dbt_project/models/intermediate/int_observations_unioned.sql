-- Every validated observation from every source, in the tidy observation contract: the union of
-- the staging models, which the method steps and fct_observation read. A view: the rows are
-- stored once, in fct_observation.
{{ config(materialized='view') }}
{% set staged = [
    'stg_worldbank__observations',
    'stg_qs_rankings__observations',
    'stg_the_rankings__observations',
    'stg_gfci__observations',
    'stg_regional_hq__observations',
    'stg_ipo_funds__observations',
    'stg_openflights__observations',
    'stg_hk_immigration__observations',
    'stg_singstat__observations',
    'stg_comtrade__observations',
    'stg_openalex__observations',
    'stg_wikidata__observations',
    'stg_sistercity__observations',
    'stg_un_wup__observations',
    'stg_gdci__observations',
    'stg_gawc__observations',
    'stg_qs_student_cities__observations',
    'stg_michelin__observations',
    'stg_unesco_whc__observations',
    'stg_metro_gdp__observations',
] %}
{% for model in staged %}
select * from {{ ref(model) }}
{% if not loop.last %}{{ union_all_by_name() }}{% endif %}
{% endfor %}
